"""Helpers shared by the behaviour tests of generated clients."""
