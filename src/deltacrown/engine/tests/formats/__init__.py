"""Tests of the competition formats."""
