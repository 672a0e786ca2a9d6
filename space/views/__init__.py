"""The views of the page, one module per tab: each builds its part of the UI and holds its handlers."""
