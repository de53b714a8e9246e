"""Teams selectors and public interface."""
