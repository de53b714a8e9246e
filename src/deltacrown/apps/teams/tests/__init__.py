"""Teams app tests."""
