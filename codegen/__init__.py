"""Turns a checked model into what runs or is read: forms, schemas, letters, diagrams."""
