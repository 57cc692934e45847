"""The event taxonomy of LABELS.md: fifteen types, in a fixed order."""

from __future__ import annotations

EVENT_TYPES: tuple[str, ...] = (
    "partnership",
    "investment",
    "product",
    "sales",
    "trade",
    "policy",
    "manufacturing",
    "technology",
    "financial",
    "recall",
    "legal",
    "labor",
    "event",
    "corporate",
    "other",
)

EVENT_DESCRIPTIONS: dict[str, str] = {
    "partnership": "cooperation between companies or with institutions: MoUs, alliances, "
    "joint development, supply, licensing or contract-manufacturing agreements",
    "investment": "ownership and capital: stakes, acquisitions, mergers, divestments, "
    "funding rounds, IPOs, capital injections, pledged investment",
    "product": "vehicles and models: launches, unveilings, platforms, model plans, prices, "
    "specifications, orders for a named model",
    "sales": "sales, deliveries, registrations and market-share figures",
    "trade": "exports and imports, overseas market entry and expansion, overseas networks",
    "policy": "governments and regulators: subsidies, tariffs, sanctions, probes, "
    "regulations, national targets",
    "manufacturing": "production, plants, capacity, localisation, parts supply and supply chains",
    "technology": "R&D, batteries, electric drive, autonomous driving, software, charging, patents",
    "financial": "earnings, revenue, profit or loss, guidance, share prices, valuations, ratings",
    "recall": "recalls, defects, regulators' safety investigations, crash tests",
    "legal": "lawsuits, rulings, settlements, fines, antitrust and patent disputes, criminal probes",
    "labor": "workers and jobs: strikes, union talks, layoffs, hiring, wages",
    "event": "auto shows, expos, trade fairs, forums and conferences as the news itself",
    "corporate": "strategy and statements, executives, restructuring, brand moves, rumours",
    "other": "relevant automotive content that fits none of the above",
}
