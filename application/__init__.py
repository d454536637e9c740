"""Use cases of the channel gate, written against ports."""
