"""Security suite: isolation, roles, CSRF, headers, CSP, throttling, bad input."""
