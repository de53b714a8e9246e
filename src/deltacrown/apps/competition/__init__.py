"""Competition app: stages, matches, results, disputes and the champion (the engine, persisted)."""
