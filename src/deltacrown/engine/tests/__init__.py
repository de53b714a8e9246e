"""Tests of the competition engine."""
