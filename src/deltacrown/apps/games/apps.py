"""Games app: Django application config; plugs the player-id rules into the kernel."""

from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "deltacrown.apps.games"
    label = "games"
    verbose_name = "Games"

    def ready(self) -> None:
        from deltacrown.apps.games import api
        from deltacrown.kernel import player_ids

        # Accounts stores players' per-game ids but sits below games; this hook lets a profile
        # update check each id against its game's format without accounts importing games.
        player_ids.register_validator(api.player_ids_check)
