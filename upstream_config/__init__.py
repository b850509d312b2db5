"""Settings every part of Upstream reads the same way: where the warehouse is, and secrets."""
