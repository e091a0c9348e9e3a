"""platforms domain."""
