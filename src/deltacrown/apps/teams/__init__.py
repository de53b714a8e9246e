"""Teams app: teams, rosters, invitations and captaincy."""
