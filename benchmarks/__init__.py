"""`chanwarden bench`: the real application against peer strategies on a simulated Telegram with real latency."""
