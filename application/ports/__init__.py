"""The small interfaces the application needs from the outside world."""
