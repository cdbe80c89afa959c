"""The weekly digest's analytics: weeks, figures, disclosure control, the phase scorecard, themes,
nudges."""
