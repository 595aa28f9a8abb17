"""Golden values for DatasetLoaderCsvTest: data.normalize = standard on standard-{train,test}.csv.

Mean and population std (ddof=0) per feature from the training file, std 0 -> 1, applied to both
files, printed as float32. Run: python3 standardize_golden.py > standardize_golden.txt
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
train = np.loadtxt(os.path.join(here, "standard-train.csv"), delimiter=",", ndmin=2)
test = np.loadtxt(os.path.join(here, "standard-test.csv"), delimiter=",", ndmin=2)
x_train, x_test = train[:, 1:], test[:, 1:]
mean = x_train.mean(axis=0)
std = x_train.std(axis=0)
std[std == 0] = 1.0
print("mean", mean.tolist())
print("std", std.tolist())
for name, x in (("train", x_train), ("test", x_test)):
    z = ((x - mean) / std).astype(np.float32)
    print(name, [repr(float(v)) + "f" for v in z.ravel()])
