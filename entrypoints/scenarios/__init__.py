"""Scenarios: a world, steps that act in it, and expectations about what the bot did."""
