"""Console and public views of the payments app."""
