"""Small fixed vocabularies the generator samples from (names, domains, catalog)."""

FIRST_NAMES = [
    "Ava",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xena",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Adams",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Kim",
    "Lopez",
    "Martin",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zhang",
]
# Real consumer mail domains: reserved ones (example.com, *.test) are junk by the identity rules.
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me"]
CATEGORIES = ["shoes", "apparel", "bags", "outdoor", "home", "beauty"]
PRODUCT_COUNT = 200

# Identifier values that real pipelines leak; planted so the identity layer's defences are tested.
# The emails include the placeholders people type to skip a checkout's email field, in forms no
# single list names (the identity layer catches them as a class, or by the names behind them).
JUNK_EMAILS = [
    "test@test.com",
    "noreply@gmail.com",
    "no@email.com",
    "na@na.com",
    "nobody@gmail.com",
    "x@x.com",
    "none@none.com",
    "noemail@noemail.com",
]
JUNK_PHONES = ["0000000000", "1111111111"]
JUNK_ANONYMOUS_IDS = ["00000000-0000-0000-0000-000000000000"]
# Placeholders staging turns into NULL.
PLACEHOLDER_USER_IDS = ["undefined", "null", "", "None", "N/A"]


def sql_list(values: list[str]) -> str:
    """Render Python strings as a DuckDB list literal."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"[{quoted}]"
