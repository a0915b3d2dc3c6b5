from ninja import NinjaAPI

api = NinjaAPI(title="SkillCert API", version="1", urls_namespace="api")
