"""social domain."""
