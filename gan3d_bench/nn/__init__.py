"""Small building blocks shared by the built-in models."""
