"""Terraform read into entries keyed by block type and labels; only literal values."""

from wicked_platform.tools.changes.config_values import config_changes
from wicked_platform.tools.changes.hcl_reader import read_hcl

MAIN_TF = '''# The shop's workloads
resource "kubernetes_deployment" "checkout" {
  metadata {
    name      = "checkout-api"
    namespace = "shop"
  }
  spec {
    replicas = 3
    template {
      spec {
        container {
          name  = "app"
          image = "registry.example.com/checkout-api:${var.tag}"
          resources {
            limits = {
              memory = "512Mi"
            }
          }
        }
      }
    }
  }
}

resource "aws_ecs_service" "payments" {
  desired_count = 4 // four tasks
  cluster       = aws_ecs_cluster.main.id
}

module "orders_api" {
  source = "./modules/service"
  memory = 1024
  policy = <<EOT
{ "Version": "2012-10-17" }
EOT
}
'''


def test_blocks_key_their_values_and_expressions_are_left_out():
    assert [(e.key, e.value, e.line) for e in read_hcl(MAIN_TF)] == [
        ("resource.kubernetes_deployment.checkout.metadata.name", "checkout-api", 4),
        ("resource.kubernetes_deployment.checkout.metadata.namespace", "shop", 5),
        ("resource.kubernetes_deployment.checkout.spec.replicas", "3", 8),
        ("resource.kubernetes_deployment.checkout.spec.template.spec.container.name", "app", 12),
        ("resource.kubernetes_deployment.checkout.spec.template.spec.container.resources.limits.memory", "512Mi", 16),
        ("resource.aws_ecs_service.payments.desired_count", "4", 26),
        ("module.orders_api.source", "./modules/service", 31),
        ("module.orders_api.memory", "1024", 32),
    ]


def test_a_resource_is_owned_by_its_metadata_name_else_its_label():
    after = MAIN_TF.replace('"512Mi"', '"128Mi"').replace("desired_count = 4", "desired_count = 1").replace(
        "memory = 1024", "memory = 256")
    places = {c.key: c.place for c in config_changes("infra/main.tf", MAIN_TF, after)}
    memory = places["resource.kubernetes_deployment.checkout.spec.template.spec.container.resources.limits.memory"]
    assert (memory.system, memory.owner, memory.kind, memory.namespace, memory.container, memory.setting, memory.restore) == (
        "terraform", "checkout-api", "Deployment", "shop", "app", "resources", "512Mi")
    ecs = places["resource.aws_ecs_service.payments.desired_count"]
    assert (ecs.owner, ecs.setting) == ("payments", "other")  # not Kubernetes: no kubectl for it
    assert places["module.orders_api.memory"].owner == "orders_api"
