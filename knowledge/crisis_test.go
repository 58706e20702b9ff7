package knowledge

import "testing"

func TestDetectCrisis(t *testing.T) {
	for _, tc := range []struct {
		text string
		want CrisisKind
	}{
		// self-harm and suicide
		{"我不想活了", CrisisSuicide},
		{"活著沒意思，想死", CrisisSuicide},
		{"嗯…那个…我最近老是想着去死", CrisisSuicide},
		{"我 想 自 杀", CrisisSuicide},
		{"我刚割腕了", CrisisSuicide},
		{"我想从楼上跳下去", CrisisSuicide},
		{"我吃了一整瓶安眠药", CrisisSuicide},
		{"我想自殺", CrisisSuicide},
		// sexual abuse of a child
		{"有人摸我下面，我不敢告诉妈妈", CrisisChildAbuse},
		{"繼父晚上老是進我房間對我做那種事", CrisisChildAbuse},
		{"邻居叔叔猥亵了我女儿", CrisisChildAbuse},
		// violence
		{"老公打我", CrisisViolence},
		{"他又打我了我好怕", CrisisViolence},
		{"老公喝醉了拿刀说要砍死我", CrisisViolence},
		{"我被人强奸了怎么办", CrisisViolence},
		{"长期被家暴怎么办", CrisisViolence},
		// medical emergencies
		{"我爸突然嘴歪了说不出话", CrisisMedical},
		{"胸口疼喘不上气", CrisisMedical},
		{"孩子吞了纽扣电池", CrisisMedical},
		{"救命啊 宝宝噎住了 脸都紫了", CrisisMedical},
		{"我媽突然倒在地上叫不醒", CrisisMedical},
		{"流血止不住怎么办", CrisisMedical},
		{"孩子误喝了农药", CrisisMedical},
		{"孩子抽搐口吐白沫", CrisisMedical},
		{"孕妇下面大出血", CrisisMedical},
		{"煤气中毒了", CrisisMedical},
		{"我妈突然喘不上气", CrisisMedical},
		// benign look-alikes
		{"笑死我了哈哈哈", CrisisNone},
		{"今天热死了", CrisisNone},
		{"饿死了，有啥好吃的", CrisisNone},
		{"累死了今天", CrisisNone},
		{"我想死你了宝贝", CrisisNone},
		{"打死我也不信", CrisisNone},
		{"气死我了这个游戏老是输", CrisisNone},
		{"去菜市场杀价杀了半天", CrisisNone},
		{"這天冷死人了", CrisisNone},
		{"电脑中毒了怎么办", CrisisNone},
		{"有空打我电话", CrisisNone},
		{"怎么教孩子防性侵", CrisisNone},
		{"宝宝老打我怎么办", CrisisNone},
		{"孩子对我翻白眼", CrisisNone},
		{"腿抽筋怎么办", CrisisNone},
		{"宝宝衣服用什么洗衣液", CrisisNone},
		{"蔬菜上有农药残留吗", CrisisNone},
		{"老人不想活动怎么办", CrisisNone},
		{"跳楼价大甩卖", CrisisNone},
		{"孩子早上叫不醒起床", CrisisNone},
		{"学习压力大得喘不过气", CrisisNone},
		{"学习压力太大了感觉喘不过气", CrisisNone},
		{"宝宝发烧怎么办", CrisisNone},
		{"", CrisisNone},
	} {
		if got := DetectCrisis(tc.text); got != tc.want {
			t.Errorf("DetectCrisis(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func BenchmarkDetectCrisis(b *testing.B) {
	for b.Loop() {
		DetectCrisis("嗯就是那个我妈血糖有点高能不能吃粽子啊")
	}
}
