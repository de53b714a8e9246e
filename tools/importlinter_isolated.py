"""An import-linter contract: apps are used from outside only through their public modules.

Every package directly under ``container`` is an app. A module outside an app may import only the
app's public modules (``api``, ``data``); the wiring modules (HTTP routers, URL and WebSocket
routes) may also be imported by the composition root (``deltacrown.config``), and an app's test
factories (``test_modules``, e.g. ``tests.factories``) by other apps' tests, which set up the
same situations. New apps are covered as soon as they exist, with no contract to add.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output


class IsolatedAppsContract(Contract):
    type_name = "isolated_apps"

    container = fields.StringField()
    public_modules = fields.ListField(subfield=fields.StringField())
    wiring_modules = fields.ListField(subfield=fields.StringField(), required=False)
    wiring_importers = fields.ListField(subfield=fields.StringField(), required=False)
    test_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        container = str(self.container)
        public = {str(m) for m in self.public_modules}  # type: ignore[attr-defined]
        wiring = {str(m) for m in (self.wiring_modules or [])}  # type: ignore[attr-defined]
        wiring_importers = [str(m) for m in (self.wiring_importers or [])]  # type: ignore[attr-defined]
        testing = {str(m) for m in (self.test_modules or [])}  # type: ignore[attr-defined]
        violations: list[dict[str, object]] = []
        for app in sorted(graph.find_children(container)):
            for module in sorted(graph.find_descendants(app)):
                first = module[len(app) + 1 :].split(".", 1)[0]
                if first in public:
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if importer == app or importer.startswith(app + "."):
                        continue
                    if first in wiring and any(
                        importer == w or importer.startswith(w + ".") for w in wiring_importers
                    ):
                        continue
                    if module[len(app) + 1 :] in testing and ".tests." in importer + ".":
                        continue
                    details = graph.get_import_details(importer=importer, imported=module)
                    violations.append(
                        {
                            "importer": importer,
                            "imported": module,
                            "lines": [d["line_number"] for d in details],
                        }
                    )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for v in check.metadata["violations"]:
            lines = ", ".join(str(n) for n in v["lines"])
            output.print_error(f"- {v['importer']} -> {v['imported']} (l.{lines})", bold=False)
            output.new_line()
        output.print_error(
            "Import the app's api or data module instead (see ARCHITECTURE.md, Boundaries).",
            bold=False,
        )
