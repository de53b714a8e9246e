"""Games app: the registry of supported games, their rules, player-id validators and draft rules."""
