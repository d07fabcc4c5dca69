from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "reactions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "emoji" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "message_id" BIGINT NOT NULL REFERENCES "messages" ("id") ON DELETE CASCADE,
    "user_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_reactions_message_ff253e" UNIQUE ("message_id", "user_id", "emoji")
) /* `user` reacted to `message` with `emoji`; once per (message, user, emoji). */;
CREATE INDEX IF NOT EXISTS "idx_reactions_user_id_5e79c4" ON "reactions" ("user_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "reactions";"""


MODELS_STATE = (
    "eJztXVtz2jgU/isaXjadYTspIQm7fYI2bbNNYCehu51mOkbYCqixLWqLJEw3/30l2caWb7"
    "G51bh6SUDSkeXv6HK+cyTxo2ERA5nuyyt06yB3OiR3yG78CX40bGgh9iE1vwkacDYLc3kC"
    "hWNTCDheSY3yoiILjl3qQJ2y3FtouoglGcjVHTyjmPCnNQY2Ag6hkGJ7AvwKgKjgNRjdQg"
    "ubixGgGLkAApNMsP2bC/QpxDYgt74gsV0mMUF0ipyX/KkG0dljWYXbesDcxt/nSAvS2GNu"
    "vrJkbBvoEbnB19mddouRaUigYoNXINI1upiJtB6enNv0nSjLmz/WdGLOLTssP1vQKbGXAt"
    "imPHWCbORAivgTqDPn6Npz0/TVEQDuNTYs4rUyImOgWzg3uY64tNeAMK2haf3BULs+G2pa"
    "I6G/QCKCuJ+kM9SY7llTXQHAhDfh9z9araOj09bh0UnnuH16etw57LCyor3JrNMnrzEhWl"
    "5VArPz9+f9IW8QYR3M63884UnIQAo9KaGMEH1P30kNvJlCJx3/UCKmA/ZycR0EiOcpIUj4"
    "SVqw4KNmIntCp+zr0UkOwP90r9586F4dHJ28kFHu+zktkcXxDvEV40qbQndaBmNZajM4/9"
    "zOLsF80i4A80k7E2aeJcOMHmeYzWMapEmY3zKQKLZQOtSyZAxqwxd9GXzYTAcPZ/4dQJ8D"
    "9fD88ux62L38m1dvue53U+DVHZ7xnJZIXcRSD+K9f1kJ+Pd8+AHwr+DLoH8m4CQunTjiiW"
    "G54ZcGbxOcU6LZ5EGDRhSTIDlIktTsoHs2MowV1CxLbkDN/uhRWt68lnUHcdxX0LIsWcPB"
    "zPoxNAY2W3+9HrgnavcHS67W5y5ytLLGYEToeYtwD6yRndmE3By/vUs1CTmmSS28Iw7CE/"
    "sjWghNnLN2Q1tHKcj7LOmTX81+aeAp6GFBavh8Bz4s6Uu047FXZy+MqGfTda/fdN+eNQTA"
    "Y6jfPUDH0CSkeQ5pkVjKsmwyy2pZ8RRow4nAhr8Fb3MU9BTKGigjm6ryFyrGULOxVCywwi"
    "O+mcMCufLF54QOsjlKVKZ2DOWoVYQItrKJYCvOUAzszky40MrCHJfbFunerRmzZTo4g677"
    "QNhkWpZ4JwRrCHfr+LgA3qxUJuAi7ynGzHRyj5xFacQTggrxYoi7yHVZqzQGHv+fxDxz7U"
    "yR3JbxnAT9cLsLaetV+7TdOTppL9fPZUreshkskYqE/nokNEGFsk336HwXj+zEbFdf/t3H"
    "K2SKiEk2U4rHk/asO2RRJmk4jU2i37kam+0Rvkdpxn4JwHq8spojZUEjxU5UKAW8Flljtn"
    "xN8WzNwXe5rKi+ULkunKC1cRK11BUktqTpIq697lTuVVNbmAixtDFcGyZWTQ/WCqVtevW8"
    "mTzFrbec4rP9et5yUsix1xiJwsgZAe+DAfwUY8TaRMDbSxcQB/BOAJhN5YJbh32iU2Q1ef"
    "aMWTHI1hFAmLv/wANcJHefbOkZKa7Hm4b/KJ7vP6PxVTkk98EhqdhXtoLqxb4Spi/TXdmx"
    "J8upQGC5URjHv3wUVpbbnS+pFgrIicRG1q/KBGMrYW01Y9FYuQOmB2RTJppKAVvFKLc8sV"
    "Yp0B2h7Sl2sUzqs43jmBdhs6HvG8GWhHHKO4myPCsz5eZZniZ0qcZNLM1F38spIiFam6jK"
    "ju0Qh5ilYuRB+d2FDv2Zo7Et2KXwYadA8LCTGTrsxAOHUNfRjKb64AkDEtrpIEfFYkCPmd"
    "y2kF6m7HbTbG8wuJBYU+881m37ny57Z1cHrwTwrBCmGb35G8H2SlRWElRMdp+YrPCTll3I"
    "I0KKQ628eKh9xBVhr4H1uybDuvKr2bPOX5RiRQb987xVbc3e363ZQQA1la4uY6t5XDUM42"
    "6LqHLewl4imsBULfqKbmJkU81yJxxbRWYrMwM3c8hsaQq7c+JaExVEXIvESDlOPUSPWb5z"
    "v3wttr3mWfBnn4eS8R4w1IPL7ucXkgF/Mei/D4pH+Nabi0EvvgeWzB09xVWQDXcosRLge3"
    "Tqcxt4O2hmLhiaczuFzGbzGlmqNl6xze01ltbWBLDZjq+EYC1mkW2fDlGbC7Khr69LBhl4"
    "NaVLgurmgCrfHOCRvbKe7YiUcmyXcGx76zpTR2lHpyy4kkHw/CiqK91TXuYKQO85RkqDL4"
    "kp+JWrubKu5tDzVxlncyVBlUb087AGS98GgC1+Iqdaa2UaskGL5P4qmwkSuKwRoP/p4iLP"
    "my+jjnd3AqqaFr46AFXBoz1LvFLvmQ2xzLtjNqK4Amd8eHhsBIQUMgAlYORHlkbgAdMpGC"
    "GLfMOj14DwYzYz5IADv0ATcNkmEAVepBzt2WjVqYEqKxyDQSxUiKiAVHXstGZOQMpTVkIB"
    "2R7OpYDybCrPpvJsBqilHfAuTUZlOcVG1ZazvUA+xw8QMQ92Rq6qNgSKEld59Ku9Z3Xeey"
    "YcW2kMw3d45bALVmL714LeNO7YN/6YYG+Zst0rZ7sHKipqugfla2i5b/hETtk7QWt8F2jn"
    "sAi0h9nYHiZ/gWOG9TLoLgV2eJyssRNwW8dF0GWlcu6hTOBrWNodKvULMqHERvbgVeja4H"
    "aRiaGdPTO0E1ODOFO62klUdQh1LVKnfCnZCqmvL0WMHO5Qv8d0sYLu0+R30wN2OuvVqwMk"
    "PApFYorqBsqGuoFygyCpWxV3HXr14crwi/hI5rtGlndhPh947YoQJ3iYEmDBBbAJBfyAP7"
    "/scIz4VYdeyBR6Vx/ObYpN9pfVbyMjGWtduzZ1Yc1e2aXqqkRlpqitv5UghiraV5Fon9r1"
    "qy6YUEG+Jehd5GB9mmbO+jm51iwMy1TmBwB/FQtyzYPE2bZh5m9DZTvns38Uqg7hpa38Eh"
    "cfVCUQ9ovXEN1Xh0XiS6xUJroiL+aHJzZFafcN/HU96GcQm1AkzmqwTsF/wMTuPtq7OeBy"
    "MCTqkrjuIX6zQ1PmJLyCXpq9tcvF7Ol/4Uquwg=="
)
