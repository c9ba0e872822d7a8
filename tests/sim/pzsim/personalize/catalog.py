"""The service's own catalogue: recipes, algorithms and feature
transformations (account-independent ARNs arn:aws:personalize:::...)."""

# name -> (recipeType, domain or None, kind used by the simulated model,
#          dataset types the recipe requires, supports trainingMode UPDATE)
RECIPES = {
    "aws-user-personalization": ("USER_PERSONALIZATION", None, "user",
                                 ("Interactions",), True),
    "aws-user-personalization-v2": ("USER_PERSONALIZATION", None, "user",
                                    ("Interactions",), False),
    "aws-hrnn": ("USER_PERSONALIZATION", None, "user", ("Interactions",),
                 False),
    "aws-hrnn-metadata": ("USER_PERSONALIZATION", None, "user",
                          ("Interactions",), False),
    "aws-hrnn-coldstart": ("USER_PERSONALIZATION", None, "user",
                           ("Interactions", "Items"), True),
    "aws-personalized-ranking": ("PERSONALIZED_RANKING", None, "ranking",
                                 ("Interactions",), False),
    "aws-personalized-ranking-v2": ("PERSONALIZED_RANKING", None, "ranking",
                                    ("Interactions",), False),
    "aws-sims": ("RELATED_ITEMS", None, "related", ("Interactions",), False),
    "aws-similar-items": ("RELATED_ITEMS", None, "related",
                          ("Interactions", "Items"), False),
    "aws-popularity-count": ("USER_PERSONALIZATION", None, "popular",
                             ("Interactions",), False),
    "aws-trending-now": ("USER_PERSONALIZATION", None, "popular",
                         ("Interactions",), False),
    "aws-item-affinity": ("USER_SEGMENTATION", None, "segment",
                          ("Interactions",), False),
    "aws-item-attribute-affinity": ("USER_SEGMENTATION", None, "segment",
                                    ("Interactions", "Items"), False),
    "aws-next-best-action": ("PERSONALIZED_ACTIONS", None, "actions",
                             ("Interactions", "Actions"), False),
    "aws-ecomm-customers-who-viewed-x-also-viewed": (
        "RELATED_ITEMS", "ECOMMERCE", "related", ("Interactions",), False),
    "aws-ecomm-frequently-bought-together": (
        "RELATED_ITEMS", "ECOMMERCE", "related", ("Interactions",), False),
    "aws-ecomm-popular-items-by-purchases": (
        "USER_PERSONALIZATION", "ECOMMERCE", "popular", ("Interactions",),
        False),
    "aws-ecomm-popular-items-by-views": (
        "USER_PERSONALIZATION", "ECOMMERCE", "popular", ("Interactions",),
        False),
    "aws-ecomm-recommended-for-you": (
        "USER_PERSONALIZATION", "ECOMMERCE", "user", ("Interactions",),
        False),
    "aws-vod-because-you-watched-x": (
        "RELATED_ITEMS", "VIDEO_ON_DEMAND", "related", ("Interactions",),
        False),
    "aws-vod-more-like-x": ("RELATED_ITEMS", "VIDEO_ON_DEMAND", "related",
                            ("Interactions",), False),
    "aws-vod-most-popular": ("USER_PERSONALIZATION", "VIDEO_ON_DEMAND",
                             "popular", ("Interactions",), False),
    "aws-vod-top-picks": ("USER_PERSONALIZATION", "VIDEO_ON_DEMAND", "user",
                          ("Interactions",), False),
    "aws-vod-trending-now": ("USER_PERSONALIZATION", "VIDEO_ON_DEMAND",
                             "popular", ("Interactions",), False),
}

CREATED = 1543622400.0  # 2018-12-01, the service's launch


def recipe_arn(name):
    return "arn:aws:personalize:::recipe/" + name


def recipe_name(arn):
    """The recipe's name for one of its ARNs, or None."""
    prefix = "arn:aws:personalize:::recipe/"
    if arn and arn.startswith(prefix) and arn[len(prefix):] in RECIPES:
        return arn[len(prefix):]
    return None


def algorithm_arn(name):
    return "arn:aws:personalize:::algorithm/" + name


def feature_transformation_arn(name):
    return "arn:aws:personalize:::feature-transformation/" + name


def describe_recipe(name):
    rtype, domain, _, _, _ = RECIPES[name]
    return {"name": name, "recipeArn": recipe_arn(name),
            "algorithmArn": algorithm_arn(name),
            "featureTransformationArn": feature_transformation_arn(
                "JSON-percentile-filtering"),
            "status": "ACTIVE",
            "description": "%s recipe (simulated)" % name,
            "creationDateTime": CREATED, "recipeType": rtype,
            "lastUpdatedDateTime": CREATED}


def recipe_summary(name):
    d = {"name": name, "recipeArn": recipe_arn(name), "status": "ACTIVE",
         "creationDateTime": CREATED, "lastUpdatedDateTime": CREATED}
    if RECIPES[name][1]:
        d["domain"] = RECIPES[name][1]
    return d


def describe_algorithm(name):
    return {"name": name, "algorithmArn": algorithm_arn(name),
            "algorithmImage": {"name": name, "dockerURI":
                               "personalize-sim/%s:latest" % name},
            "defaultHyperParameters": {"hidden_dimension": "149",
                                       "bptt": "32"},
            "defaultHyperParameterRanges": {
                "integerHyperParameterRanges": [
                    {"name": "hidden_dimension", "minValue": 32,
                     "maxValue": 256, "isTunable": True}],
                "continuousHyperParameterRanges": [],
                "categoricalHyperParameterRanges": []},
            "defaultResourceConfig": {"max_parallel_training_jobs": "1",
                                      "max_number_of_training_jobs": "20"},
            "trainingInputMode": "File",
            "creationDateTime": CREATED, "lastUpdatedDateTime": CREATED}


def describe_feature_transformation(name):
    return {"name": name,
            "featureTransformationArn": feature_transformation_arn(name),
            "defaultParameters": {"max_user_history_length_percentile":
                                  "0.99",
                                  "min_user_history_length_percentile":
                                  "0.00"},
            "creationDateTime": CREATED, "lastUpdatedDateTime": CREATED,
            "status": "ACTIVE"}
