public enum ColorSpacePlaceholder {}
