"""The referral and web-chat API (FastAPI, SQLAlchemy 2, pydantic 2), on port 8000."""
