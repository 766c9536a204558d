"""Allow ``python -m cloudtrail_lint``."""

from .cli import main

if __name__ == "__main__":
    main()
