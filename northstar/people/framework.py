"""Northstar's starting career framework: tracks, levels, competencies and what each level expects.

Written for a product division; a leader edits any of it in the app (`people:framework`). The text
of a cell is the competency's expectation at the level's stage, applied to the level's scope.
"""

from __future__ import annotations

from northstar.org.models import Level
from northstar.people.models import Track

#: org level -> (track, rank in track, stage 1..4, scope, summary)
LEVELS: dict[str, tuple[str, int, int, str, str]] = {
    Level.APM: (Track.IC, 1, 1, "a feature, with a mentor", "Learns the craft on well-framed problems."),
    Level.PM: (Track.IC, 2, 2, "a product area", "Owns a product area end to end with one team."),
    Level.SENIOR_PM: (Track.IC, 3, 3, "several product areas", "Owns ambiguous problems across teams."),
    Level.PRINCIPAL_PM: (Track.IC, 4, 4, "a line's hardest problems", "Sets direction without managing."),
    Level.GROUP_PM: (Track.MANAGEMENT, 1, 3, "a group of teams", "Leads a small group of PMs."),
    Level.DIRECTOR: (Track.MANAGEMENT, 2, 4, "a product line", "Answers for a product line and its people."),
    Level.VP: (Track.MANAGEMENT, 3, 4, "several product lines", "Runs several lines, grows their leaders."),
    Level.CPO: (Track.MANAGEMENT, 4, 4, "the whole product division", "Answers for the division."),
    Level.DESIGNER: (Track.DESIGN, 1, 2, "the features they design", "Designs and tests with a team."),
    Level.UX_LEAD: (Track.DESIGN, 2, 4, "the division's design practice", "Leads design everywhere."),
    Level.ANALYST: (Track.ANALYTICS, 1, 2, "the questions teams ask", "Answers product questions with data."),
    Level.ANALYTICS_LEAD: (Track.ANALYTICS, 2, 4, "the division's analytics", "Leads analytics everywhere."),
    Level.MARKETING_LEAD: (Track.MARKETING, 1, 4, "every launch", "Positions products and runs launches."),
}  # fmt: skip

#: (name, group, description, expectation at stages 1..4)
COMPETENCIES: list[tuple[str, str, str, tuple[str, str, str, str]]] = [
    (
        "Customer insight and discovery", "Discovery", "Knows the customer's problem before building.",
        (
            "Joins customer interviews and writes up what was heard, separating facts from opinions.",
            "Runs discovery on their own: interviews, prototypes and tests that kill weak ideas early.",
            "Chooses the discovery method that fits the risk and teaches it to others.",
            "Makes evidence-led discovery the habit of every team and funds the research that matters.",
        ),
    ),
    (
        "Strategy and vision", "Strategy", "Says where the product is going and why.",
        (
            "Explains how their work connects to the line's objectives.",
            "Writes a strategy for their area that the team can repeat and use to say no.",
            "Shapes strategy across areas and trades off between them with a clear rationale.",
            "Sets multi-year direction others build their plans on, and revisits it with evidence.",
        ),
    ),
    (
        "Execution and delivery", "Execution", "Gets the right thing shipped and measured.",
        (
            "Keeps tickets, acceptance criteria and follow-ups tidy so the team is never blocked by them.",
            "Plans releases with engineering, manages scope and ships on the dates they commit to.",
            "Lands work that spans several teams and dependencies without heroics.",
            "Builds the planning and delivery system that lets many teams ship predictably.",
        ),
    ),
    (
        "Data and analytics", "Execution", "Decides with numbers and knows their limits.",
        (
            "Reads the team's dashboards and asks for the numbers a decision needs.",
            "Defines success metrics before launch and reads experiments correctly.",
            "Chooses the metrics for several areas and spots when a number misleads.",
            "Makes the north-star metric and its inputs the way the organisation argues.",
        ),
    ),
    (
        "Business and financial acumen", "Strategy", "Connects product choices to revenue and cost.",
        (
            "Knows how the product makes money and what their features cost to build.",
            "Sizes opportunities and writes a business case a finance partner accepts.",
            "Manages a portfolio of bets against budget and explains the trade-offs.",
            "Owns the product P&L conversation with the executive team and the board.",
        ),
    ),
    (
        "Communication and influence", "Leadership", "Brings people along without authority.",
        (
            "Writes clearly and keeps the team informed without being chased.",
            "Aligns engineering, design and stakeholders on decisions, and records them.",
            "Changes minds across teams and senior stakeholders with evidence and story.",
            "Speaks for the product organisation to executives, customers and the market.",
        ),
    ),
    (
        "People leadership", "Leadership", "Grows others and builds teams.",
        (
            "Asks for feedback and acts on it.",
            "Gives useful feedback to peers and onboards new team members.",
            "Mentors PMs, runs hiring loops and coaches through hard calls.",
            "Builds the organisation: hires leaders, designs teams and grows successors.",
        ),
    ),
    (
        "Technical fluency", "Execution", "Understands how the product is built.",
        (
            "Understands the architecture of their feature well enough to ask good questions.",
            "Discusses trade-offs with engineers and spots technical risks early.",
            "Shapes technical direction with engineering leads across several systems.",
            "Weighs platform and build-versus-buy bets with the CTO as a peer.",
        ),
    ),
]  # fmt: skip


def expectation_text(competency_index: int, org_level: str) -> str:
    _track, _rank, stage, scope, _summary = LEVELS[org_level]
    return f"{COMPETENCIES[competency_index][3][stage - 1]} Scope: {scope}."
