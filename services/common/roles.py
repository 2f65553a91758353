"""Who may do what: one table for the console's pages and the admin API, so a viewer's POST is
refused the same way in both, whatever the page showed."""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    VIEWER = "viewer"  # e.g. the cleaning team


class Action(StrEnum):
    SEE_PRIVATE = "see_private"  # guests' full names, phones, money, conversations
    RESERVATIONS = "reservations"  # book by phone, record payments, change dates, cancel, notes
    BLOCKS = "blocks"  # close and reopen nights
    INBOX = "inbox"  # reply to guests, hand a chat back to the bot
    CABINS = "cabins"  # cabins, prices, the bot's answers, channel feeds
    USERS = "users"  # invite, change roles, deactivate
    SETTINGS = "settings"  # notification preferences, API tokens


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.STAFF: frozenset({Action.SEE_PRIVATE, Action.RESERVATIONS, Action.BLOCKS, Action.INBOX}),
    Role.VIEWER: frozenset(),
}


def allowed(role: Role, action: Action) -> bool:
    return action in _ALLOWED[role]
