"""The weekly digest's analytics: weeks, figures, disclosure control, themes, nudges."""
