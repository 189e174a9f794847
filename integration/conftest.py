"""The cross-backend integration suite; backend fixtures come from accord-testing (SPEC S13)."""
