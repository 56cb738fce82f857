"""Executes published process versions: engine, clock, outbox, audit log, storage."""
