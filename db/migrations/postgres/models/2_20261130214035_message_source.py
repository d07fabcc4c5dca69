from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "messages" ADD "source" TEXT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "messages" DROP COLUMN "source";"""


MODELS_STATE = (
    "eJztXFtT2zgU/isavyydYTs0BMjuPiWUtmwL2YF0t1OmYxRbSbTYUmopQKbLf19JtuO7G4"
    "ckdVy9QCLpSMp3dDnfOZK+GS61kcNeXqGRh9hkQO8QMX4H3wwCXSQ+5ObvAwNOp1GuTOBw"
    "6CgBzy9pcllUZcEh4x60uMgdQYchkWQjZnl4yjGVrRl9goBHOeSYjEFQAVAV/AFuR9DFzv"
    "wWcIwYgMChY0x+YcCaQEwAHQWClDAhMUZ8gryXslWbWqJZUeGmGpgR/HWGzDBNNHPzRSRj"
    "YqNHxMKv0ztzhJFjJ0DFtqxApZt8PlVpPTw+J/yNKiu7PzQt6sxcEpWfzvmEkoUAJlymjh"
    "FBHuRItsC9mUSXzBwnUEcIuN/ZqIjfy5iMjUZw5kgdSWm/A1GaYZqX/YF5fTYwTSOjv1Ai"
    "hniQZAnUhO5FV5kCYCy78Otvrdbh4Unr4PC4c9Q+OTnqHHREWdXfbNbJk9+ZCC2/KoXZ+d"
    "vzy4HsEBUDzB9/MuFJyUAOfSmljAh9X99ZDZxOoJePfySR0oH4cWkdhIiXKSFM+EFacOGj"
    "6SAy5hPx9fC4BOC/u1en77pXe4fHL5IoXwY5LZUl8Y7wVfPKnEA2qYJxUmo9OP/YwZ6A+b"
    "i9BMzH7UKYZVYSZvQ4xWIdMyHPwvxagMSxi/KhTkqmoLYD0Zfhh/UM8Gjl3wL0JVAPzi/O"
    "rgfdi79k9S5jXx2FV3dwJnNaKnWeSt1Lj/5FJeCf88E7IL+Cz/3LMwUnZXzsqRajcoPPhu"
    "wTnHFqEvpgQjuOSZgcJiXU7KF7MTPsFdSclFyDmoPZo7W8fi1bHpK4r6DlpGQDJ7MYx9Du"
    "E7H/+iNwR9QeTJZSrc8Y8syqxmBM6PsW4Q5YI1uzCaU5PrrLNQklplktvKEewmPyHs2VJs"
    "5FvyGxUA7yAUv6GFSzWxp4CkdYmBq178GHBX2JDzzx08UPRty36brXp93XZ4YCeAituwfo"
    "2WYCaZlDWzSVsiibzXJbbjoFEjhW2MhfIfscBz2HsobKKKaq8gctx1CLsdQssMYzfr+EBU"
    "rlq88ZHRRzlLhM4xjKYWsZItgqJoKtNEOxMZs6cG5WhTkttynSvV0zZsN0cAoZe6BiMa1K"
    "vDOCDYS7dXS0BN6iVCHgKu8pxcwseo+8eWXEM4Ia8eUQZ4gx0StTgCf/ZzEv3DtzJDdlPG"
    "dBP9jsRtp61T5pdw6P24v9c5FStm2GW6QmoT8fCc1QoWLTPb7epSM7Kds1kH/z/go5KmJS"
    "zJTS8aQdGw5FlCkxnYYOte6YKVZ7hO9RnrFfAbCerKzhSLnQzrETNUohr0XuUGxfEzx95u"
    "S7WFTUXKgYg2P0bJxULU0FyaPUNYfw2Uu5qKYHG7WKb9Jd5S9ROf6qxdpV7LDy18mlPFbG"
    "rSqMvFvgf7BBkGLfij5R8PqCAeoBOQiAMBYYGHniE58gd19mT8X2jIiFAMLSrwUe4Dx7rG"
    "JDbeT41G6MoCmZH7RhfNGetl3wtGlaUaygZtGKjE0ndFd17iXldISr2ixM4189vJiU256T"
    "pBEKKAkxxvav2kQZa2Ft7afCjMkBmB9pzFloagVsHcO3yYW1ThHcGB/NsYuTbLXYOE7R4/"
    "XGdG8UW1LGqRwk2vKszZJbZnk6kHFTmlgmQ1+rKSIj2phwwZbtEI86lYK/YfntxcSClcPY"
    "FOyJuFhniahYpzAm1klHxKBloSnPdS5TASQk+SDHxVJAD4XcppBepGz3NGiv3/+QYE2989"
    "Swvfx40Tu72nulgBeFMC8Yzf9STFaisglBzWR3ickqP2nVjTwmpDnUypuHPiBbE/YaWr/P"
    "ZFhXQTU7NviXpVixSf993qrPHO/umeMwMphLVxdBwzKuGsUnN0VUJW8RPyKeIFStxorlYE"
    "S46bKxxFaT2dqswPslZLYyhd06cW2ICmKuRWrn3BMeoMci33lQvhHnOcss+LNPg4TxHjLU"
    "vYvupxcJA/5D//JtWDzGt04/9Hvpw5105lk5roJiuCOJlQDfoeuMm8A7uQlkYC/20GQEGz"
    "HcN30+X0fBi6Fvru8A2Xg1pScE9d3tOt/d9llJVRdsTEp7YCt4YLU37oeZwz6BrAx+QkzD"
    "r11ytXXJRR6S2jjlaglqYkbXyS+nBnPe83XBIC95tk6U2PxbADfGnfgmmwn9btrRVjtHW6"
    "iiZflwWL6BNHjNpxWqPgTQ4AcAOgfLQHtQjO1B9tm9KbaqoLsQ2OJRG2Mr4LaOlkFXlCq5"
    "fJ7B13bNO1Tp2chIYi3+yRq9FdJeZmFoF68M7czSoM7brXZKTx/Qexar047JYoU01zGpZo"
    "4wc/E95vMVdJ8nv50RsNVVr1kDYKVnH/S1c0NfO1/nYw/6xvl2b5yHcBX4RQIky10ji3cC"
    "vn/xvAvkoS3wMKHAhXNAKAfy8LO8CD5E8ho4sgGnAPrXwmeEY0f8FfUTZGevmD+7Nn2ZZ6"
    "fsUn2NXJspOtxXC2KoD9/rSF8NBr8+fK8P3yfs2S7ysDXJM2eDnFJrFkZlavPq989iQT7z"
    "pdJi27DwQdhi53zxS7BNCC9t5PldOakqIBwUbyC6rw6WiS+JUoXoqryUH54SjkgOufnzun"
    "9ZQGwikTSrwRYH/wEHs120d0vAlWAkqEvmKHz61Pt+kpPICnp59tY2N7On/wHu6zvC"
)
