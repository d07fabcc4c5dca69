from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# Generated, plus one hand-written UPDATE: public rooms created before names were unique keep
# their names, and the oldest of each name holds it (the others keep no key).
async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "rooms" ADD "name_key" VARCHAR(255);
        UPDATE "rooms" SET "name_key" = lower(trim("name")) WHERE "kind" = 'public' AND "id" IN (
            SELECT min("id") FROM "rooms" WHERE "kind" = 'public' GROUP BY lower(trim("name")));
        CREATE UNIQUE INDEX "uid_rooms_name_ke_73da32" ON "rooms" ("name_key");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "uid_rooms_name_ke_73da32";
        ALTER TABLE "rooms" DROP COLUMN "name_key";"""


MODELS_STATE = (
    "eJztXVtz27YS/isYvdSe0cnY8rXtS2XHaX3qS8dR2k7tDAWRkMSaJBQSsqLT4/9eALyCN5"
    "OSSFEMXhIbxIL0twtgv90l+E/HxBoynHcPaGwjZzrAz8jq/AD+6VjQRPSH1Otd0IGzWXiV"
    "NRA4MriA7fZUCOvKL8GRQ2yoEnp1DA0H0SYNOaqtz4iO2d069xYCNiaQ6NYEeAMAPsCPYD"
    "iGpm4sh4DoyAEQGHiiW985QJ1C3QJ47Aliy6ESE0SmyH7H7qphld6WDljVDeaW/mWOFL+N"
    "3ubxM23WLQ19RY7/6+xZGevI0ARQdY0NwNsVspzxtgt9cm2RD7wve/yRomJjblph/9mSTL"
    "EVCOgWYa0TZCEbEsTuQOw5Q9eaG4anDh9w92HDLu5TRmQ0NIZzg+mISbsPELZ1FOXufqB8"
    "vBooSiehP18igrjXpFLUqO7pozocgAl7hP983+sdHZ31Do5Oz0+Oz85Ozg/OaV/+vMlLZ6"
    "/uw4RouUNxzK5/vr4bsAfC1MBc+2MNr1wGEuhKcWWE6Lv6TmrgcgrtdPxDiZgO6B8X14GP"
    "eJ4S/IYtacGEXxUDWRMypb8eneYA/Hv/4fKX/sPe0em+iPKdd6XHLzG8Q3z5vFKm0JmWwV"
    "iU2gzO2zV2AebT4wIwnx5nwswuiTCjrzOdrmMKJEmY31OQiG6idKhFyRjUmif6zv9hMwYe"
    "rvw1QJ8D9eD69urjoH/7GxvedJwvBserP7hiV3q8dRlr3YtbfzAI+ON68Atgv4K/7u+uOJ"
    "zYIROb3zHsN/irw54JzglWLLxQoBbFxG/2mwQ12+iFzgxtBTWLkhtQszd7pJY3r2XVRgz3"
    "FbQsSrZwMlM7htq9Rfdf1wJ3RO3eZMnV+txBtlLWGYwIve0R7oA3UptPyNzx8XOqS8gwTW"
    "rhA7aRPrF+RUuuiWv63NBSUQryHkv65A2zWxp49S3Mbw3vb8NFQF+ihkf/dPoHI+L6dP2P"
    "l/33Vx0O8Aiqzwtoa4qANLuCezjWEvRNXjJ7ZrwFWnDCsWF/BXvmKOgplNVXRjZVZX9QMY"
    "aajaVkgQ2e8d0cFsiUz39O6CCbo0RlWsdQjnpFiGAvmwj24gxF052ZAZdKWZjjclWR7nrd"
    "mIrp4Aw6zgLTxbQs8U4IthDu3slJAbxpr0zA+bXXGDNT8Quyl6URTwhKxIsh7iDHoU+lUP"
    "DY/0nMM/fOFMmqnOck6AfVbqS9w+Oz4/Oj0+Ng/wxa8rZNf4uUJPTbJqHwhbpI5WmoILbS"
    "XGpYOGmLRDSbOEV3m3heLaYrT/7Drw/I4PmqbJ4az+bt2GTMIqyCWY8MrD47Ct1rkf6C0o"
    "y7BGAXbLCWI2VCLcVLlyj5UQVkjqjzMNVna06+22Cg9kJl8Xz5ujhZfod2guQ4cILWBomP"
    "0laQqNelbsCUHrxhWgsTxqYygmvDRIe5gK1FCRIC1SlbnNbEqR8M1CaoqozRu55BSpA+cB"
    "myo/Sue1IoTN8Z8s7IHgL3Bw14LdqQPhMG728dgG3A5gugDMkBY5v+RKbI7LLLM+oVI0tF"
    "AOksmA8WcJmsJavoHimJhMeOdyt23btH57NMLzSFx3Vz0gsylpKtoPbGUrxJWjqYIsrJtH"
    "65WRjHv3wwS5SrLzLcCgXk1FVE9q/GlFY0wtvqxmorRANML69IWWgaBWwTa1bEhbVJZSuR"
    "MFCKXywGibKd41hUarOFLI+cWHLnlBmJ9Dwbs+TmeZ4GdIjCXCzFQV/KKSIh2pocac1+iI"
    "2NUhUvfv/6CgG8laNTFexCMcB5gVKA88xCgPN4GQBUVTQjqTkdTIGEVkbGMiIWA3pE5apC"
    "OmiptwT+4v7+RmBNF9cxs737dHtx9bB3yIGnnXSSYc0WJvq41AtTocRKFt20zHCVxvw31q"
    "2V4gSCoAwT7FKYgMfry3pJESFJUFfemeUrFw0JDfjUYk36+uANs2PGX5S/Rib920EB+RbL"
    "7r7F4lc7pMYCgkKIvEBAWHNRIE/mVR8MAcVLRbblgCEDZvgD0Alg93d4xgrsDZ+pOofgyb"
    "/BE70BHROD4U/MNof7PNeFZgY7PIFgAJP5suru9WR5Y7NjGugYuu2AvacO67J86uy/A5d4"
    "blEDBnBCLcIhrA9wic93DmD+BTCh/YxsMKYjD73bUhuiUsPsrJwZFl2kBkYeg5kYmb6MUX"
    "+WIZNGhkykP7Y1f6x0jKr2yFTrIGerbBky7/dv4VsqG+by3sZQeikR5aRpt47dtRT6HHoX"
    "8ZHWpCPtK3GNUxJx+u8gz2skqo0leq45pxK9wNLziF5YN15VupdzlS6INlBdc2NRKfmyiG"
    "I6E4atTAk3Zi3u5vAb6WTXX4mGtZSM2QB9zapA8/q3wsnOS9Vc/TkQsjS+O7132/9zX8jU"
    "3Nzf/ex3j7jflzf3F3ESiee2muJrZMMdSrQhQVk33jzA5obJkqBnB0xEqdbUlmzu/Xthb0"
    "0Am83QE4KtWEWqPjFFluhnQ9/e3DvS9NWULgjK0zSbfJqmS/bK1odFpGR5WInyMHdfp+oo"
    "nUERBSs6RKStdE+mrxoAvRsYKQ2+ICbhlzVFja0pCiN/MtqcB6owo9+G1d/6as2PNGuvTE"
    "PWfyLRXkU3QQCXPgS4+3RzkxfNTxxMo9h4IQ+nyT93hRdZrYvR5gyziRDJo2kKwLSdQ1d2"
    "xaCqTDQGlpX6Oa/Q6vI+5RUx8QJFpbyqE3AppLECzbD0c6GTKRgiE/+tD38ErA4UzJAN9r"
    "wOXcBku4B32E85c2WjQxcq6qT/cxGZ42yO69/NyXG6ykooIDtoHgjIYLkMlstguY+aLGjc"
    "/irX/ILGdu4vsp5R1jM2IQyyQ+WMPFaaxjC8GGoOu6A9qv/60mPw+oJfrih998b57vKNlK"
    "reSCn76aUWf3Lp/KAItAfZ2B4kP3Q809Uy6AYCNZ7z06kF3N5JEXRpr5zP/STwZf8rz6jc"
    "yTMRmY2UdjboC22VfFNJM8tCHEq0DeDjIqvvcfbye5xYf/mJaqudwyaPYFuLOcuAVbZC2h"
    "uw4jOHZS1edLJcQfdp8vVYQK2rXrsMIBG2KVYLIL/nIz9VszmQ5OdXZCVAUysBPMPKCNN5"
    "NpcfqQs+L/R2HUCfZ9zBYoqBCZfAwgSwsyrZ4U0jxD6J4mbwofuJlLlFdIP+S8e3kJZM/a"
    "89mjzYeqc8ePlJFenQyZcbGkGhZfK5Icln+V7Dxt9rkDnn3c05RwhAiksr0oNsrzbGRyrN"
    "QkuPspEe5WxuU2+lVII0IlLrxzqC2IlMQe/S3lVDAo/ekbDTPzhQJXCOy7UQ782XQTv6/1"
    "JAzn3V15OQPGRlHrLQNarOBOqZkAf9KzpRYBuQb+yQoSl1cKdljm0KBSScKYcpl6udWKdw"
    "onGLgbi3HRSqADrIqQA6SFZYTefmqGx9iiDUhuPdagB6t2KrMle+62/3NG2GbcWvwQtrhQ"
    "BrVEpGWFfFfitphW/W6nNi29ycZST2jUhsdNIXOF2m1nxBw6x63XRBeKRMyl65AVRbdyxK"
    "HNic1/+KHNdTaeYA2bo67aRlDdwr3dyMQdinMcmCbyVTsCZhz84BvCDb8crNihLMiEgbiX"
    "wVQWo2qUog7HVvIbqHhdj7YQ57P0xh724oP4nwfz/e3+VG/9M4u64S8H9g6M4uRqhzwGVg"
    "CMw8cRR+/NT7rki52QAXad5snZvZ67/hng+h"
)
