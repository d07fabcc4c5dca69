from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" ADD "avatar_id" BIGINT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" DROP COLUMN "avatar_id";"""


MODELS_STATE = (
    "eJztXdty2zYQ/RUMX+rMqBlZlm21fZIcJ3FrSx1baTPxZGiIhCXUvCgkZFlN/e8FQFIkeL"
    "OoC00xeEkkAAtSZ3HZs7uAvyumrSPDfXuN7h3kTob2A7KUX8F3xYImoh9S6xtAgdNpWMsK"
    "CBwZXMDxWqqENeVVcOQSB2qE1t5Dw0W0SEeu5uApwTZ7mjKwEHBsAgm2xsDvAPAOfgN399"
    "DExuIOEIxcAIFhj7H1kwu0CcQWsO99QdtyqcQYkQly3rKn6rZGH0s73NUDZhb+NkNqUEYf"
    "c/uVFmNLR0/IDb5OH9R7jAxdABXrrANerpLFlJf18PjCIu95W/b6I1WzjZlphe2nCzKxra"
    "UAtggrHSMLOZAg9gTizBi61swwfHUEgHsvGzbx3jIio6N7ODOYjpi09wJhmaKq/cFQvTkf"
    "qqqS0F8gEUHcL9IoalT39FVdDsCYvcLPv7RaR0enrebRSee4fXp63Gl2aFv+vsmq02fvZU"
    "K0vK44ZhcfLvpD9kI2HWDe+GMFz1wGEuhJcWWE6Hv6TmrgbAKddPxDiZgO6I+L6yBAPE8J"
    "QcEracGET6qBrDGZ0K9HJzkA/9W9PvvYvT44Onkjotz3a1q8iuEd4svnlTqB7qQIxqLUdn"
    "B+3cEuwHzSXgHmk3YmzKxKhBk9TTFdx1RIkjC/oyARbKJ0qEXJGNS6L/o2+LCdAR6u/CVA"
    "nwP18OLq/GbYvfqTdW+67jeD49UdnrOaFi9dxEoP4qN/2Qn4+2L4EbCv4Mugf87htF0ydv"
    "gTw3bDLwp7JzgjtmrZcxXqUUyC4qBIULODHunM0NdQsyi5BTX7s0dqefta1hzEcF9Dy6Jk"
    "DSczHcdQH1h0//VG4J6o3Z8suVqfuchRixqDEaGXLcI9sEZKswmZOX7/kGoSMkyTWnhvOw"
    "iPrT/Qgmvigr43tDSUgrzPkj753eyXBp6DERaUhs934HxJX6IDj/50+oMR8Wy67s1Z9925"
    "wgEeQe1hDh1dFZBmNXbLjpUs2yarzJYZL4EWHHNs2K9g7xwFPYWyBsrIpqrsB63GULOxlC"
    "ywwjO+kcMCmfL554QOsjlKVKZ2DOWotQoRbGUTwVacoejYnRpwoRaFOS63K9JdrhmzYzo4"
    "ha47t+liWpR4JwRrCHfr+HgFvGmrTMB53XOMmWn2I3IWhRFPCErEV0PcRa5L30ql4LH/k5"
    "hn7p0pkrsynpOgN3e7kbYO26ftztFJe7l/Lkvyts1gi5Qk9McmofCRmkjFaaggttZcqpg7"
    "6RWJaDZxiu428bhaTFe+/Ps/rpHB41XZPDUezduzyZhFWIVhPTJs7cFV6V6L8CNKG9wFAO"
    "uxzmqOlAn1FCtdohR4FZA5osbDBE83nHxXy47qC5XrwjHaGCfeS11BcmzbVEdw46WcdtOD"
    "tV3FISFQm5iIyWyEU3fZUZ2g2qVf1VvNUxyry2U+27PqbSkruVaVO94YOXfA+6ADv0S/o+"
    "9kg3dXLrAdwOYLoFatC+4d+olMkNlg1VNqySBLQwBh5oAFc7hI5v/s6Bkpzt9bxX8Uq/ef"
    "oXyVLuGq2N6NHJew5L/ZCqov//UnaWECLMrJUGyxWRjHv7gDQpQrz5tXCwXkxMIj+1dlwu"
    "GVsLYasXi4OADTQ+IpC02lgK1inoG4sFYp1SBC3VPsYpHYZxvHMU/CdpMPbjmx5MYpGyTS"
    "8qzMkptneRrQJSozsVQXfSumiIRobeJaJdshjm0UylII2pcXvPVXDmVXsAsB3M4K4dtOZv"
    "C2Ew/dQk1DU5Lqh7cpkNDKiDJFxGJAj6jcrpBelpSbttwbDC4F1tS7iA3b/qer3vn1wSEH"
    "njbCJGM0/2Njay0qKwhKJrtPTJa7lItu5BEhyaHW3jxkJndF2Gtg/W7IsK79bvZs8K9KsS"
    "KT/mXeKpPj9zc5PgiiptLVZXw1j6uGodxdEVXGW+iPiBZQVfOxohkYWUQ13THDVpLZyqzA"
    "jRwyW5jClk5ca6KCiGvR1lMOtA/RU5bv3G9fi8TjPAv+/PNQMN4Dhnpw1f38RjDgLwf9D0"
    "HzCN86uxz04mmywqKUQD3bY5AQrAX8uz7YIKOy2dDXl8siHa+ndEFQHnqv8qF3z0ou6hKM"
    "SEmPYAGPoPQOvZp55hGawuALYhJ+6SKqrIsoZOyVcRJVElRhRhf1E712VnQ1LaFyk6L5pE"
    "+7H9FfDHLuRaQtdn/ZxK3yQL+xxwT+Mukgq5yDLFDRqn6DoH0N3QVbzjIoetNEjW+Y6DRX"
    "gbaZjW0zea/jFGtF0F0KlJgio5QCbut4FXRpq5zbDRL46qb6gArdSxpKrIVwfEOv0GU07V"
    "UWhnb2ytBOLA08T2697DqZWLcR+5UO3GyF1NeBy2cONXPxIyaLNXSfJl/OCCh11avXAFjr"
    "Zgt5sl6RJ+u3eZ+FPFRfxUP10n0UDqwMD5I/5vKdSMtLI14+Wt8FLC0NzCc2MOECWDYBLL"
    "2bHXUfIXbQHemA2AB6B99nFsEG/Zf2byE9eYh+497kcaW9suDlQXlp0MkAciUotDxeIGPH"
    "FRj88niBPF4g2LMRApBi0or0INuqjfEReRt/PZfVPItyOnOotVIodhcRKfUI9tJ3IqOj+7"
    "R3lXA9OX0iYQn+HKgCOMflaoj39o8FuPjftOtq89IpfQnJQ9bmIXOsk5Q/dZAJ+bJ9jS4I"
    "39p1+xNq4E5SPCiZaIYCEs4knAVzJzZJnKjcYiDubc2VklOaOckpzWTyz2RmjormpwhCW0"
    "lRqT/Q++VblbHyrbhWfVZR2MUnytVoVyjZrrHn1hoO1qiU9LCui/2rhBV+2FGf49vmw1l6"
    "Yl/wxEYn/cvO7XLjBRUb1ZuGC+jzQf/T5aWStlduAdXV86D2FFjRPMjA9pUiB8jB2kRJix"
    "p4NY3ciEHYpjLBgh8lUrAhYc+OAWT+Vcdsgpn95xxrQeR34aRmk6oAwn7zGqJ7uBJ7P8xh"
    "74cp7N1z5ScR/v1m0M/1/qdxdqwR8B8wsLuPHuoccBkYAjNPXMsUv4GpIVJu1kGv2F9S3P"
    "5m9vw/+usWIw=="
)
