"""Scheduling and publishing posts: the queue, per-platform rules and the dispatcher."""
