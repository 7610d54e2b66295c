"""Simulator routes for the payflow protocol (being written)."""


def routes(state):
    return []
