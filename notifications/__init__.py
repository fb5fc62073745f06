"""Notifications: what Keyflow tells staff and parents, exactly once."""
