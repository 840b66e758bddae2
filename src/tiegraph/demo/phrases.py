"""Words of the demo's mail and meetings: subjects, short bodies, meeting titles."""

from __future__ import annotations

SUBJECTS = (
    "Quick question about the pilot",
    "Follow-up on our call",
    "Proposal for next quarter",
    "Pricing update",
    "Intro: data platform",
    "Contract renewal",
    "Next steps",
    "Lunch next week?",
    "Slides from today",
    "Invoice and PO",
    "Security questionnaire",
    "Onboarding plan",
    "Reference call",
    "Partnership idea",
    "Agenda for Thursday",
    "Budget planning",
    "Feedback on the demo",
    "Catching up",
    "Renewal timeline",
    "Your question on SSO",
    "Updated MSA draft",
    "Workshop recap",
    "Can we move our meeting?",
    "Pilot results",
)
INTERNAL_SUBJECTS = (
    "Pipeline review",
    "Deal desk: discount approval",
    "Forecast for this week",
    "Account plan",
    "Handover notes",
    "Travel next month",
    "Team offsite",
    "QBR prep",
    "Territory split",
    "Hiring update",
)
NEWSLETTER_SUBJECTS = (
    "What's new this month at {org}",
    "Invitation: customer webinar on data quality",
    "{org} product update",
    "Save the date: {org} user conference",
    "Case study: how teams cut reporting time in half",
)
GROUP_SUBJECTS = (
    "Industry roundtable: notes and next date",
    "Working group update",
    "Community meetup",
    "Steering committee minutes",
)
LINES = (
    "Thanks for the quick reply, that works for us.",
    "Could you send over the latest numbers before Friday?",
    "I have looped in our legal team on the contract.",
    "Happy to set up a call next week, just let me know a time.",
    "We reviewed the proposal internally and have a few questions.",
    "Attached are the slides we discussed.",
    "Let me check with the team and get back to you.",
    "Great to see you at the event last week.",
    "The pilot is going well so far, the team likes it.",
    "Can we push our meeting by thirty minutes?",
    "From our side the paperwork is ready to sign.",
    "From what I understand the budget is approved.",
    "Sounds good, talk soon.",
)
GREETINGS = ("Hi {name},", "Hello {name},", "Dear {name},", "{name},", "Hey {name},")
CLOSINGS = ("Best", "Thanks", "Cheers", "Kind regards", "Best regards", "Talk soon")
MEETINGS_ONE_ON_ONE = ("Catch-up", "Weekly sync", "Check-in", "Coffee chat", "Account review")
MEETINGS_SMALL = (
    "Discovery call",
    "Demo: {org}",
    "Pricing discussion",
    "Technical deep dive",
    "Quarterly business review",
    "Implementation kickoff",
)
MEETINGS_LARGE = (
    "Webinar: data quality in practice",
    "Customer advisory board",
    "Workshop: analytics roadmap",
    "Partner enablement session",
    "Industry roundtable",
)
MEETINGS_INTERNAL = ("1:1", "Deal review", "Pipeline review", "Coaching session")
