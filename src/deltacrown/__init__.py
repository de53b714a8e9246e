"""DeltaCrown: a self-hostable esports tournament platform."""

__version__ = "0.1.0"
