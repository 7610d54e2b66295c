"""Simulator routes for the rest protocol (being written)."""


def routes(state):
    return []
