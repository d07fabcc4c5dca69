from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "messages" ADD "reply_count" INT NOT NULL DEFAULT 0;
        ALTER TABLE "messages" ADD "reply_to_id" BIGINT;
        CREATE INDEX IF NOT EXISTS "idx_messages_reply_t_458d3d" ON "messages" ("reply_to_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_messages_reply_t_458d3d";
        ALTER TABLE "messages" DROP COLUMN "reply_count";
        ALTER TABLE "messages" DROP COLUMN "reply_to_id";"""


MODELS_STATE = (
    "eJztXVtT2zgU/isavyydYTs0BMjuPiWUtmwh2YF0t1OmYxRbSbTYVmorQKbLf19JtmPLN+"
    "KQuI6rl5JIOpLyHV3Od46kftdsYiLLe32Fxi7ypkNyhxztd/Bdc6CN2IfM/H2gwdksyuUJ"
    "FI4sIeD6JXXKi4osOPKoCw3KcsfQ8hBLMpFnuHhGMeGtaQMHAZdQSLEzAUEFQFTwB7gdQx"
    "tbi1tAMfIABBaZYOcXDxhTiB1AxoEgcTwmMUF0itzXvFWTGKxZVuG2Gpg7+Nsc6WEaa+bm"
    "K0vGjokekRd+nd3pY4wsUwIVm7wCka7TxUyk9fDk3KHvRFne/ZFuEGtuO1H52YJOibMUwA"
    "7lqRPkIBdSxFug7pyj68wtK1BHCLjf2aiI38uYjInGcG5xHXFpvwNRmqbr/cFQvz4b6rqW"
    "0l8oEUM8SDIYakz3rKueAGDCu/Drb63W4eFJ6+DwuHPUPjk56hx0WFnR33TWyZPfmQgtvy"
    "qB2fn78/6Qd4iwAeaPP57wJGQghb6UUEaEvq/vtAZOp9DNxj+SSOiA/bikDkLEi5QQJvwg"
    "LdjwUbeQM6FT9vXwuADgv7tXpx+6V3uHx69klPtBTktkcbwjfMW80qfQm5bBWJbaDM4/dr"
    "BLMB+3V4D5uJ0LM8+SYUaPM8zWMR3SNMxvGUgU2ygbalkyAbUZiL4OP2xmgEcrfwXQF0A9"
    "PL88ux52L//i1due980SeHWHZzynJVIXidS95OhfVgL+OR9+APwr+DLonwk4iUcnrmgxKj"
    "f8ovE+wTklukMedGjGMQmTwyRJzS66ZzPDXEPNsuQG1BzMHqXlzWvZcBHHfQ0ty5INnMxs"
    "HENz4LD91x+BO6L2YLIUan3uIVcvawzGhJ63CHfAGqnMJuTm+Pgu0yTkmKa18I64CE+cj2"
    "ghNHHO+g0dA2UgH7CkT0E1u6WBp3CEhalR+y58WNKX+MBjP539YER9m657fdp9e6YJgEfQ"
    "uHuArqlLSPMc0iKJlGXZdJbdspMp0IETgQ3/FbzPcdAzKGuojHyqyn/Qagw1H0vFAms84/"
    "cLWCBXvvic0kE+R4nLNI6hHLZWIYKtfCLYSjIUE3szCy70sjAn5bZFuqs1Y7ZMB2fQ8x4I"
    "W0zLEu+UYAPhbh0drYA3K5ULuMh7SjAzg9wjd1Ea8ZSgQnw1xD3keaxXOgOP/01jnrt3Zk"
    "huy3hOg36w3Y209aZ90u4cHreX++cypWjbDLdIRUJ/PhKaokL5pnt8vUtGdhK2ayD/7uMV"
    "skTEJJ8pJeNJOzYc8iiTNJ1GFjHuPJ2t9gjfoyxjvwRgPV5Zw5GyoZlhJyqUQl6L7BHbvq"
    "Z49sLJd7msqLlQeR6coBfjJGppKkguIbY+gi9eylk1PdioVXyb7ip/icrwVy3XrnyHlb9O"
    "ruSx0m5FYeTeAv+DCYIU85b1iYC3lx4gLuCDADBjwQNjl32iU2Tv8+wZ256RYyCAMPdrgQ"
    "e4SB+r2FIbGT61Gy1oiucHbWhfladtFzxtilbkK6hZtCJl0zHdlZ17spyKcJWbhUn8y4cX"
    "ZbnqnCSNUEBBiDG2f9UmylgLa2s/EWaUB2B2pDFjoakVsHUM38oLa50iuDE+mmEXy2w13z"
    "hO0OPNxnRvBFsSxikfJMryrM2SW2R5WtCjOjexdA99K6eIlGhjwgUV2yEusUoFf8Py1cXE"
    "gpVD2xbsUlyss0JUrJMbE+skI2LQMNCMZjqXCQMSOtkgx8USQI+Y3LaQXqZUexq0NxhcSK"
    "ypd54Ytv1Pl72zq703AnhWCNOc0fwvwc5aVFYSVEx2l5is8JOW3chjQopDrb15qAOyNWGv"
    "ofX7QoZ1FVSzY4N/VYoVm/TP81Z15nh3zxyHkcFMuroMGhZx1Sg+uS2iynkL+xHxBKZqMV"
    "YMCyOH6rY34dgqMlubFXi/gMyWprCVE9eGqCDmWiRmxj3hIXrM850H5RtxnrPIgj/7PJSM"
    "95Ch7l12P7+SDPiLQf99WDzGt04vBr3k4U4yd40MV0E+3JHEWoDv0HXGbeDtopm1YGjOnQ"
    "wym89rZKnGeMU2d4hW2ltTwOY7vlKCjVhFtn3tQR0uyIe+uS4ZZOL1lC4Jqivxdb4S75O9"
    "sp7tmJRybJdwbPv7OlNHaUenLLiWQfD8LGoq3VNe5hpA7ztGSoMviSn4lau5tq7myPNXG2"
    "dzLUGVZvTzsIZb3waAXf2qSb32yixkwx7J41U2EyRwWSdA/9PFRZE3X0YdV3e1p54WfrV3"
    "VsRamvUqaLDGFrwGykps/4mVG+2OfePNhOEMFb+oXfwiVNGq/rCwfAPdYBs+BFb2fZUGv6"
    "vSOVgF2oN8bA/Sr5nOsFEG3aVAhScYtUrAbR2tgi4rVfCmRwpf09bvUKnXeCOJjYR9avQE"
    "U3uVhaGdvzK0U0uDOMa83uFnde75RU4FFZjIV0hzAxNi5jAzF99julhD91ny1YyASle9Zg"
    "2AtV7TUa95aOo1jw2CpB7y+AFOEQ5Xjl8kQLLYNbJ8fuX59zy6gJ+FBQ9TAmy4AA6hgN8p"
    "4e9rjBB/XQOZgBIA/dc25g7FFvuX1e8gM/1yx4trU3ckd8ouVa9zKDNFRZtrQQzVnSYVaK"
    "7B4Fd3mtSdJsme7SIXG9MsczbIKbRmYVSmNv+Zws9iQb7w7Hq+bZj7zna+cz7/ge0mhJe2"
    "8qo5n1QlEA6KNxDdNwerxJdYqVx0RV7CD08cirKuuPx5PejnEJtIJMlqsEHBf8DC3i7auw"
    "XgcjAk6pK6YZS8TLQvcxJeQS/L3qpyM3v6H+UG9Fg="
)
