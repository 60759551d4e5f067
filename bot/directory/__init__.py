"""Local service directories: import (ORUK JSON/CSV, template), store, query and render."""
