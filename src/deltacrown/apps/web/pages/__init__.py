"""Web app, reads: what each page shows, assembled from the apps' public interfaces.

The pages' only data source is the apps' ``api`` modules (and their ``data`` types): the same
rules of visibility as the REST API (``tournaments.api.tournament_detail_for`` raises 404 for
drafts and private tournaments a visitor may not see), public names only (display and team
names), never emails, in-game ids of others or payment states. Each function reads with a
constant number of queries, whatever the tournament's size (tournament tabs are also cached
under the tournament's event-stream head: see ``pages.tournament``).
"""

from deltacrown.apps.web.pages.common import TABS
from deltacrown.apps.web.pages.directory import Directory, Filters, directory
from deltacrown.apps.web.pages.match import MatchPage, match_page
from deltacrown.apps.web.pages.player import (
    MyMatches,
    Profile,
    TeamPage,
    my_matches,
    profile,
    team_invitations,
    team_page,
)
from deltacrown.apps.web.pages.tournament import (
    TournamentPage,
    current_stage,
    highlight_css,
    panel,
    tournament_page,
    with_invite,
)

__all__ = [
    "TABS",
    "Directory",
    "Filters",
    "MatchPage",
    "MyMatches",
    "Profile",
    "TeamPage",
    "TournamentPage",
    "current_stage",
    "directory",
    "highlight_css",
    "match_page",
    "my_matches",
    "panel",
    "profile",
    "team_invitations",
    "team_page",
    "tournament_page",
    "with_invite",
]
