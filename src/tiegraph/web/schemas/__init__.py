"""The API's documented shapes, one module per area, and their conversion from services' values."""
