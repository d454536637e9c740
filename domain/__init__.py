"""The channel gate's rules: pure, synchronous, free of I/O."""
